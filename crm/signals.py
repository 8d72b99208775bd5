"""Events other apps may act on. `customers` imports no app to its right, so apps that
want to react (e.g. satisfaction inviting a customer to a survey) connect receivers in
their AppConfig.ready()."""

from django.dispatch import Signal

# Sent inside the transaction that closes the complaint (the customer accepted the
# outcome), with `complaint=`. A receiver that may fail must use its own savepoint and
# must not stop the complaint from closing.
complaint_closed = Signal()
