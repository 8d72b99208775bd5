"""The interface kit: the few building blocks every page of the portal is made of.

- `views`: `ServiceFormView` (a form whose valid data goes to a service),
  `ServiceActionView` (a POST that runs a service and comes back with a message),
  `FilteredListView` / `FilterMixin` (filter form, pagination, CSV export by columns).
- `columns`: `Column`, a CSV column declared as a header and an accessor.
- `forms`: the form renderer (`{{ form }}` renders the portal's field markup) and the
  mapping of a service's errors onto a form.
- Templates: `qms/kit/form_page.html`, `qms/kit/list_page.html`,
  `qms/kit/confirm_page.html`; fields through `qms/kit/form.html` and `qms/kit/field.html`.

Helpers for services (model_update) are in qms.services_kit.
"""
