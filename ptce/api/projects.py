"""API of projects."""

from ninja import Router

router = Router()
