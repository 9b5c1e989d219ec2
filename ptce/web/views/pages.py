"""General pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ptce.web.forms import SearchForm


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"form": SearchForm()})
