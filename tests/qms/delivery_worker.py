"""A sending worker for the fault tests, run as its own process: it sends due messages
with `qms.send_due_messages` through a mail backend that appends each e-mail (Message-ID,
recipient) to a log file and then pauses, so a SIGKILL lands while a message is "being
sent" and its e-mail has already left.

    python -m tests.qms.delivery_worker <mail log> <pause seconds> <lease seconds>
"""

import datetime as dt
import os
import sys
import time

from django.core.mail.backends.base import BaseEmailBackend

MAIL_LOG = os.environ.get("DELIVERY_MAIL_LOG", "")
PAUSE = float(os.environ.get("DELIVERY_PAUSE", "0"))


class LoggingBackend(BaseEmailBackend):
    """Each e-mail "leaves" when its line is on disk; then the server is slow to say so."""

    def send_messages(self, email_messages):
        for email in email_messages:
            with open(MAIL_LOG, "a") as log:
                log.write(f"{email.extra_headers['Message-ID']} {email.to[0]}\n")
                log.flush()
                os.fsync(log.fileno())
            time.sleep(PAUSE)
        return len(email_messages)


def main() -> None:
    global MAIL_LOG, PAUSE
    MAIL_LOG, PAUSE, lease = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.test")
    import django

    django.setup()
    from django.conf import settings

    from qms import services, tasks

    settings.EMAIL_BACKEND = "tests.qms.delivery_worker.LoggingBackend"
    services.MESSAGE_LEASE = dt.timedelta(seconds=lease)
    services.MESSAGE_BATCH = 20
    print("sent", tasks.send_due_messages_task(), flush=True)


if __name__ == "__main__":
    main()
