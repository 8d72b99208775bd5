"""Building blocks the views of every app share."""

from django.core.exceptions import ValidationError

from ..exceptions import ApplicationError


class ServiceFormMixin:
    """Run a service from `form_valid`; an ApplicationError becomes a form error, so the
    user sees what is wrong and loses nothing they typed."""

    def run_service(self, form, call):
        try:
            return call()
        except ApplicationError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        return None
