"""Issue 17 moved the requirements register, the research sources and the CRM out of
customers/ into apps of their own (requirements, research, crm), keeping their tables.
A database migrated before the move keeps every row, every relation, its history and
its content type ids when it migrates forward.

How: the test database is migrated back to the last migrations before the move; the
demo organisation as it was at commit d2a02c0 (`manage.py load_demo`, plus an erasure
record, an impact assessment on a requirement, a corrective action sourced from a
complaint and a group with permissions on moved models; `manage.py dumpdata
contenttypes auth qms customers satisfaction objectives actions`, gzipped in
tests/fixtures/premove_demo.json.gz) is written through the models of that historical
state, with its own content type and permission rows; then the database migrates
forward to the latest migrations and every moved row is read back through the new apps'
models and compared field by field. The database is left at the latest migrations.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

FIXTURE = Path(__file__).parent / "fixtures" / "premove_demo.json.gz"

# The leaf migrations of commit d2a02c0, the last one before the move.
BEFORE_MOVE = [
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("qms", "0003_management_review"),
    ("customers", "0004_customer_search_trigram"),
    ("satisfaction", "0007_alertrule"),
    ("objectives", "0003_objective_requirements_history"),
    ("actions", "0002_complaint_sources"),
]
NEW_APPS = ("requirements", "research", "crm")

# Old label -> new label of every model that moved (the history models too).
MOVED = {
    **{
        f"customers.{name}": f"requirements.{name}"
        for name in (
            "requirement",
            "requirementreview",
            "requirementtransition",
            "deployment",
            "deploymentacknowledgement",
            "briefread",
            "historicalrequirement",
            "historicalrequirement_topics",
            "historicaldeployment",
        )
    },
    **{
        f"customers.{name}": f"research.{name}"
        for name in ("ticket", "purchase", "interview", "interviewfinding", "historicalinterview")
    },
    **{
        f"customers.{name}": f"crm.{name}"
        for name in (
            "interaction",
            "preference",
            "booking",
            "checklistitem",
            "complaint",
            "complaintevent",
            "complaintcounter",
            "erasurerecord",
            "historicalcomplaint",
        )
    },
}


def _records() -> list[dict]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as stream:
        return json.load(stream)


def _python_value(field, value):
    if field.is_relation:
        return value  # the related row's key, as stored
    return field.to_python(value)


def _load(records: list[dict], state_apps) -> None:
    """Write the fixture's rows through the historical models (keys kept)."""
    objects: dict[str, list] = defaultdict(list)
    m2m_rows: dict = defaultdict(list)
    for model in state_apps.get_models():
        for field in model._meta.concrete_fields:
            # Keep the stored timestamps (these state models are thrown away afterwards).
            field.auto_now = field.auto_now_add = False
    for record in records:
        model = state_apps.get_model(record["model"])
        obj = model()
        obj.pk = record["pk"]
        for name, value in record["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                through = field.remote_field.through
                for target in value:
                    m2m_rows[through].append(
                        through(
                            **{
                                f"{field.m2m_field_name()}_id": record["pk"],
                                f"{field.m2m_reverse_field_name()}_id": target,
                            }
                        )
                    )
            else:
                setattr(obj, field.attname, _python_value(field, value))
        objects[record["model"]].append((model, obj))
    with transaction.atomic():
        # The fixture brings its own content types and permissions (with their ids).
        state_apps.get_model("auth", "Permission").objects.all().delete()
        state_apps.get_model("contenttypes", "ContentType").objects.all().delete()
        for rows in objects.values():
            rows[0][0].objects.bulk_create([obj for _model, obj in rows], batch_size=500)
        for through, rows in m2m_rows.items():
            through.objects.bulk_create(rows, batch_size=500)


def _migrate(executor: MigrationExecutor, targets) -> None:
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_migrates_forward_without_loss():
    records = _records()
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        # Given a database at the last migrations before the move, with the demo in it
        # (surveys and places came later still: not applied either)
        _migrate(
            executor,
            BEFORE_MOVE + [(app, None) for app in (*NEW_APPS, "surveys", "places")],
        )
        applied = executor.loader.applied_migrations
        assert not any(app in NEW_APPS for app, _name in applied)
        assert ("customers", "0005_move_domains_out") not in applied
        state_apps = executor.loader.project_state(BEFORE_MOVE).apps
        assert state_apps.get_model("customers", "Requirement")._meta.db_table == (
            "customers_requirement"
        )
        _load(records, state_apps)

        # When it migrates forward to the latest migrations
        _migrate(executor, leaves)
        ContentType.objects.clear_cache()

        # Then every moved row is there, through the new apps' models, with its values
        _assert_every_moved_row_kept(records)
        _assert_relations_history_and_content_types(records)
    finally:
        # Whatever happened, leave the database at the latest migrations.
        _migrate(MigrationExecutor(connection), leaves)
        ContentType.objects.clear_cache()


def _assert_every_moved_row_kept(records: list[dict]) -> None:
    by_label: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        by_label[record["model"]].append(record)
    assert set(MOVED) <= set(by_label), "the fixture has rows of every moved model"
    counts = Counter(record["model"] for record in records)
    for old_label, new_label in MOVED.items():
        model = global_apps.get_model(new_label)
        assert model._meta.db_table == f"customers_{model._meta.model_name}"
        assert model.objects.count() == counts[old_label], new_label
        current = model.objects.in_bulk([r["pk"] for r in by_label[old_label]])
        for record in by_label[old_label]:
            obj = current[record["pk"]]
            for name, value in record["fields"].items():
                field = model._meta.get_field(name)
                if field.many_to_many:
                    kept = sorted(getattr(obj, name).values_list("pk", flat=True))
                    assert kept == sorted(value), (new_label, record["pk"], name)
                else:
                    kept = getattr(obj, field.attname)
                    assert kept == _python_value(field, value), (new_label, record["pk"], name)
    # Rows of the models that stayed are untouched too.
    from customers.models import Customer, Topic
    from objectives.models import Objective

    assert Customer.objects.count() == counts["customers.customer"]
    assert Topic.objects.count() == counts["customers.topic"]
    assert Objective.objects.count() == counts["objectives.objective"]


def _assert_relations_history_and_content_types(records: list[dict]) -> None:
    from actions.models import ActionSource
    from crm.models import Complaint, ComplaintEvent, ErasureRecord, Interaction
    from objectives.models import Objective
    from qms.models import ImpactAssessment
    from requirements.models import Deployment, Requirement
    from research.models import InterviewFinding

    def fixture(label):
        return [r for r in records if r["model"] == label]

    # Requirement.topics (the kept many-to-many table) and its history.
    for record in fixture("customers.requirement"):
        requirement = Requirement.objects.get(pk=record["pk"])
        assert sorted(requirement.topics.values_list("pk", flat=True)) == sorted(
            record["fields"]["topics"]
        )
        assert requirement.history.count() == sum(
            1
            for h in fixture("customers.historicalrequirement")
            if h["fields"]["id"] == record["pk"]
        )
    topics_history = fixture("customers.historicalrequirement_topics")
    assert topics_history
    latest = Requirement.history.get(history_id=topics_history[0]["fields"]["history"])
    assert topics_history[0]["fields"]["topic"] in latest.topics.values_list("topic_id", flat=True)

    # Deployment -> Requirement, InterviewFinding -> Requirement, Objective -> Requirement.
    for record in fixture("customers.deployment"):
        deployment = Deployment.objects.select_related("requirement").get(pk=record["pk"])
        assert deployment.requirement.pk == record["fields"]["requirement"]
        assert deployment.requirement in Requirement.objects.all()
    linked = [r for r in fixture("customers.interviewfinding") if r["fields"]["requirement"]]
    for record in linked:
        assert (
            InterviewFinding.objects.get(pk=record["pk"]).requirement.pk
            == record["fields"]["requirement"]
        )
    for record in fixture("objectives.objective"):
        objective = Objective.objects.get(pk=record["pk"])
        assert sorted(objective.requirements.values_list("pk", flat=True)) == sorted(
            record["fields"]["requirements"]
        )
        assert all(isinstance(r, Requirement) for r in objective.requirements.all())

    # Complaints with their events and their history; the action sourced from one.
    for record in fixture("customers.complaint"):
        complaint = Complaint.objects.get(pk=record["pk"])
        assert complaint.events.count() == sum(
            1
            for e in fixture("customers.complaintevent")
            if e["fields"]["complaint"] == record["pk"]
        )
        assert complaint.history.count() == sum(
            1 for h in fixture("customers.historicalcomplaint") if h["fields"]["id"] == record["pk"]
        )
    assert ComplaintEvent.objects.count() == len(fixture("customers.complaintevent"))
    sources = [r for r in fixture("actions.actionsource") if r["fields"].get("complaint")]
    assert sources
    for record in sources:
        source = ActionSource.objects.get(pk=record["pk"])
        assert isinstance(source.complaint, Complaint)
        assert source.complaint.pk == record["fields"]["complaint"]
    # Interactions mirror purchases, tickets and interviews (now research rows).
    mirrored = Interaction.objects.filter(purchase__isnull=False).select_related("purchase")
    assert mirrored.exists()
    assert all(i.purchase.customer_id == i.customer_id for i in mirrored)
    assert ErasureRecord.objects.count() == len(fixture("customers.erasurerecord")) >= 1

    # Content types: the same rows (same ids), now under the new app labels.
    old_ids = {
        f"{r['fields']['app_label']}.{r['fields']['model']}": r["pk"]
        for r in fixture("contenttypes.contenttype")
    }
    for old_label, new_label in MOVED.items():
        app_label, model = new_label.split(".")
        assert ContentType.objects.get(app_label=app_label, model=model).pk == old_ids[old_label]
    assert ContentType.objects.get_for_model(Requirement).pk == old_ids["customers.requirement"]
    assert not ContentType.objects.filter(
        app_label="customers", model__in=[label.split(".")[1] for label in MOVED]
    ).exists()
    assert ContentType.objects.count() == len(old_ids)
    # A generic relation to a requirement (impact assessment) still finds it.
    impacts = ImpactAssessment.objects.filter(
        target_type=ContentType.objects.get_for_model(Requirement)
    )
    assert impacts.exists()
    assert all(isinstance(impact.target, Requirement) for impact in impacts)
    # Permissions kept their rows; they now read requirements.* and crm.*.
    group = Group.objects.get(name="Requirement readers")
    assert {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()} == {
        "requirements.view_requirement",
        "crm.change_complaint",
        "research.view_ticket",
    }
    assert Permission.objects.count() == len(fixture("auth.permission"))
