"""Pages of employees (namespace "employees"), mounted at the site root by `ptce.web.urls`."""

from django.urls import path

from ptce.web.views import employees as views

app_name = "employees"
BASE = "espace/poles/<slug:slug>/salaries-partages/"

urlpatterns: list = [
    path(BASE, views.group, name="group"),
    path(BASE + "parametres/", views.setup, name="setup"),
    path(BASE + "registre/adhesion/", views.join, name="join"),
    path(BASE + "registre/<int:member_id>/sortie/", views.leave, name="leave"),
    path(BASE + "registre.csv", views.register_csv, name="register_csv"),
    path(BASE + "salaries/nouveau/", views.employee_form, name="employee_new"),
    path(BASE + "salaries/<int:employee_id>/", views.employee_form, name="employee_edit"),
    path(BASE + "salaries/<int:employee_id>/plan/", views.plan, name="plan"),
    path(BASE + "heures/", views.timesheets, name="timesheets"),
    path(BASE + "factures/", views.invoices, name="invoices"),
    path(BASE + "factures/regularisation/", views.adjust, name="adjust"),
    path(BASE + "factures/<str:action>/", views.invoices_action, name="invoices_action"),
    path(BASE + "factures.csv", views.invoices_csv, name="invoices_csv"),
    path(BASE + "factures/<int:invoice_id>.pdf", views.invoice_pdf, name="invoice_pdf"),
]
