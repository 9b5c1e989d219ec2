"""API of pooling."""

from ninja import Router

router = Router()
