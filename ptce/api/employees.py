"""API of employees."""

from ninja import Router

router = Router()
