"""Data for `make prod-check` (run by deploy/prod_check.py through `manage.py shell`):
a quality manager, a published survey and customers who agreed to e-mail. Prints one
JSON line with what the journey needs. Reads PROD_CHECK_PASSWORD and
PROD_CHECK_CUSTOMERS from the environment."""

import json
import os

from qms.models import User
from tests.satisfaction.factories import consenting_customer, published_survey

password = os.environ["PROD_CHECK_PASSWORD"]
manager = User.objects.create_user(
    username="quality",
    password=password,
    email="quality@example.com",
    role=User.Role.QUALITY_MANAGER,
)
version = published_survey(title="Hotel stay pulse", code="hotel-stay")
count = int(os.environ.get("PROD_CHECK_CUSTOMERS", "200"))
for _n in range(count):
    consenting_customer()
print(json.dumps({"survey": version.survey_id, "customers": count}))
