"""API of financing."""

from ninja import Router

router = Router()
