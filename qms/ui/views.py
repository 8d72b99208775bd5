"""Views of the kit. A page declares what it shows and which service it calls; the kit
does the rest the same way on every page:

- `ServiceFormView`: GET shows the form; a valid POST calls `perform(form)` (one
  service), flashes `success_message` and redirects to `get_success_url(result)`. A
  service's ApplicationError or ValidationError becomes an error on the form, which is
  shown again with everything the user typed; nothing is saved.
- `ServiceActionView`: a POST (a button, a small form) that calls `perform(form)` and
  redirects with a success or error message; with a `template_name`, GET shows a
  confirmation page first.
- `FilterMixin` and `FilteredListView`: a filter form read from the query string,
  pagination, and `?format=csv` written from declared columns.

Permissions stay with the mixins in qms.permissions (put them first in the bases).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect
from django.views.generic import FormView, ListView, View
from django.views.generic.base import ContextMixin, TemplateResponseMixin

from qms.exceptions import ApplicationError

from .columns import Column, columns_response
from .forms import add_service_error, service_error_messages

SERVICE_ERRORS = (ApplicationError, ValidationError)


class ServiceFormMixin:
    """Run a service from `form_valid` (for views that are not a ServiceFormView, e.g. a
    page with several forms): an ApplicationError or ValidationError becomes a form
    error, so the user sees what is wrong and loses nothing they typed, and whatever the
    service wrote before refusing is rolled back."""

    def run_service(self, form, call):
        """`call()`'s result, or None when the service refused (the reason is then on
        the form)."""
        try:
            with transaction.atomic():
                return call()
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        return None


class ServiceFormView(ServiceFormMixin, FormView):
    """A form page whose valid data goes to one service.

    Declare `form_class`, `template_name`, `success_message` (or override
    `get_success_message(result)`), and implement `perform(form)` (call the service,
    return what it returns) and `get_success_url(result)`. `cancel_url` (or
    `get_cancel_url()`) puts a "Cancel" link beside the submit button of
    qms/kit/form_page.html.
    """

    success_message = ""
    cancel_url = None

    def perform(self, form) -> Any:
        raise ImproperlyConfigured(f"{type(self).__name__} must implement perform(form).")

    def get_success_message(self, result) -> str:
        return str(self.success_message)

    def get_success_url(self, result=None) -> str:
        if self.success_url:
            return str(self.success_url)
        if hasattr(result, "get_absolute_url"):
            return result.get_absolute_url()
        raise ImproperlyConfigured(f"{type(self).__name__} must implement get_success_url().")

    def get_cancel_url(self) -> str | None:
        return str(self.cancel_url) if self.cancel_url else None

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", self.get_cancel_url())
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                result = self.perform(form)
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        message = self.get_success_message(result)
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url(result))


class ServiceActionView(TemplateResponseMixin, ContextMixin, View):
    """A POST that runs one service, then redirects with a message.

    Declare `success_message` (or override `get_success_message(result)`), implement
    `perform(form)` and `get_redirect_url()` (where to go back; also after an error);
    override `get_success_url(result)` to go elsewhere on success.

    - `form_class` (optional): the POST is validated first (`self.form`); an invalid form
      redirects back with `get_invalid_message(form)` (no message when it is empty) and
      the service is not called. Without a form class `perform` gets None.
    - A service's ApplicationError or ValidationError redirects back with its message as
      an error; nothing is saved (the call runs in a transaction).
    - `template_name` (optional): GET shows this confirmation page (the form posts to
      the same URL); without one, GET is not allowed (405).
    """

    http_method_names = ["get", "post", "head", "options"]
    form_class = None
    success_message = ""
    success_level = messages.SUCCESS
    invalid_message = ""
    template_name = None

    def get(self, request, *args, **kwargs):
        if self.template_name is None:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return self.render_to_response(self.get_context_data(**kwargs))

    def _allowed_methods(self):
        allowed = super()._allowed_methods()
        if self.template_name is None:
            allowed = [m for m in allowed if m not in ("GET", "HEAD")]
        return allowed

    def get_form_kwargs(self) -> dict:
        return {"data": self.request.POST}

    def get_form(self):
        return self.form_class(**self.get_form_kwargs())

    def perform(self, form) -> Any:
        raise ImproperlyConfigured(f"{type(self).__name__} must implement perform(form).")

    def get_redirect_url(self) -> str:
        raise ImproperlyConfigured(f"{type(self).__name__} must implement get_redirect_url().")

    def get_success_url(self, result) -> str:
        return self.get_redirect_url()

    def get_success_message(self, result) -> str:
        return str(self.success_message)

    def get_invalid_message(self, form) -> str:
        return str(self.invalid_message)

    def form_invalid(self, form):
        message = self.get_invalid_message(form)
        if message:
            messages.error(self.request, message)
        return redirect(self.get_redirect_url())

    def service_failed(self, exc):
        for message in service_error_messages(exc):
            messages.error(self.request, message)
        return redirect(self.get_redirect_url())

    def post(self, request, *args, **kwargs):
        form = self.form = None
        if self.form_class is not None:
            form = self.form = self.get_form()
            if not form.is_valid():
                return self.form_invalid(form)
        return self.form_valid(form)

    def form_valid(self, form):
        """Run the service (the form is None without a form class); override to answer
        otherwise first (e.g. a download), then call super()."""
        try:
            with transaction.atomic():
                result = self.perform(form)
        except SERVICE_ERRORS as exc:
            return self.service_failed(exc)
        message = self.get_success_message(result)
        if message:
            messages.add_message(self.request, self.success_level, message)
        return redirect(self.get_success_url(result))


class FilterMixin:
    """A filter form read from the query string (GET), for list and report pages.

    Declare `filter_form_class` and override `get_filters(data)` to turn its cleaned
    data into the selector's keyword arguments (the default passes them as they are).
    `self.filters` is computed once per request; `self.filter_form` is in the context as
    `filter_form`, and `is_filtered` tells whether any filter is set.

    An invalid filter (a value not in the choices, a bad date) shows the unfiltered
    list with the form's errors; a page that answers 404 instead overrides
    `filters_invalid(form)` and raises Http404.
    """

    filter_form_class = None

    def get_filter_form_kwargs(self) -> dict:
        return {}

    def get_filter_data(self):
        return self.request.GET or None

    def get_filter_form(self):
        if self.filter_form_class is None:
            return None
        return self.filter_form_class(self.get_filter_data(), **self.get_filter_form_kwargs())

    def get_filters(self, data: dict) -> dict:
        return dict(data)

    def filters_invalid(self, form) -> dict:
        return {}

    @property
    def filters(self) -> dict:
        if not hasattr(self, "_filters"):
            self.filter_form = self.get_filter_form()
            if self.filter_form is None:
                self._filters = {}
            elif self.filter_form.is_valid():
                self._filters = self.get_filters(self.filter_form.cleaned_data)
            else:
                self._filters = self.filters_invalid(self.filter_form)
        return self._filters

    def get_context_data(self, **kwargs):
        filters = self.filters
        kwargs.setdefault("filter_form", self.filter_form)
        kwargs.setdefault("is_filtered", any(filters.values()))
        return super().get_context_data(**kwargs)


class FilteredListView(FilterMixin, ListView):
    """A list page: filter form, pagination, CSV export.

    Implement `get_list(**filters)` (call the selector, scoped to the user) and declare
    `paginate_by`, `context_object_name`, `template_name` (usually extending
    qms/kit/list_page.html). `?format=csv` downloads every matching row, unpaginated and
    streamed, when `csv_filename` and `csv_columns` are declared (override
    `get_csv_rows()` to write something else than `csv_columns` of the queryset).

    A page number that is not a number or past the end answers 404 (as Django's
    ListView); with `lenient_pages = True` it shows the first or the last page instead.
    """

    csv_filename: str | None = None
    csv_columns: Sequence[Column] = ()
    lenient_pages = False

    def get_list(self, **filters):
        raise ImproperlyConfigured(f"{type(self).__name__} must implement get_list(**filters).")

    def get_queryset(self):
        return self.get_list(**self.filters)

    def get(self, request, *args, **kwargs):
        if self.csv_filename and request.GET.get("format") == "csv":
            return self.csv_response()
        return super().get(request, *args, **kwargs)

    def get_csv_rows(self):
        return self.get_queryset().iterator(chunk_size=500)

    def csv_response(self):
        return columns_response(self.csv_filename, self.csv_columns, self.get_csv_rows())

    def paginate_queryset(self, queryset, page_size):
        if not self.lenient_pages:
            return super().paginate_queryset(queryset, page_size)
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        number = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg)
        page = paginator.get_page(number)
        return paginator, page, page.object_list, page.has_other_pages()


def page_context(request, object_list, per_page: int) -> dict:
    """`page_obj` and `is_paginated` of a list that is not a queryset view's (rows
    built in Python, a report): a bad page number shows the first or last page."""
    paginator = Paginator(object_list, per_page)
    page = paginator.get_page(request.GET.get("page"))
    return {"page_obj": page, "is_paginated": paginator.num_pages > 1}
