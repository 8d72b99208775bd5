"""Count every survey answer into the analysis tallies again, in the current TIME_ZONE.

The tally scanner does this by itself when it finds tallies counted in another zone;
this command does it at once (e.g. right after changing TIME_ZONE)."""

from django.core.management.base import BaseCommand

from satisfaction.services.tallies import tally_rebuild, tally_zone


class Command(BaseCommand):
    help = "Rebuild the survey answer tallies in the current TIME_ZONE."

    def handle(self, *args, **options):
        result = tally_rebuild()
        self.stdout.write(
            f"Tallies rebuilt in {tally_zone()}: {result.get('answers', 0)} answer rows, "
            f"{result.get('responses', 0)} response rows."
        )
