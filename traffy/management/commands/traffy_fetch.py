from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from plans.models import Organization
from traffy.fetch import FetchError, fetch_tickets


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(option)s must be a date written YYYY-MM-DD (e.g. 2024-01-31), not %(value)s.")
            % {"option": option, "value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Fetch one district's Traffy Fondue tickets reported between two days (both included) "
        "from the city's public statistics API and import them as one batch."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="The district office's short name, e.g. สนข.ภาษีเจริญ.")
        parser.add_argument("--since", required=True, help="First day (Bangkok time), YYYY-MM-DD.")
        parser.add_argument("--until", required=True, help="Last day (Bangkok time), YYYY-MM-DD, included.")
        parser.add_argument("--base-url", default=None, help=f"The API's address (default {settings.TRAFFY_API_URL}).")

    def handle(self, *args, organization, since, until, base_url, **options):
        first, last = _day(since, "--since"), _day(until, "--until")
        if first > last:
            raise CommandError(_("--since (%(since)s) is after --until (%(until)s).") % {"since": first, "until": last})
        if base_url is not None and not base_url.startswith(("http://", "https://")):
            raise CommandError(_("--base-url must start with http:// or https://, not %(url)s.") % {"url": base_url})
        org = Organization.objects.filter(Q(short_name=organization) | Q(aliases__alias=organization)).distinct().first()
        if org is None:
            raise CommandError(_("There is no organization with the short name %(name)s.") % {"name": organization})
        if org.kind != Organization.Kind.DISTRICT:
            raise CommandError(
                _("%(name)s is not a district office: Traffy tickets are matched to districts.") % {"name": org.short_name}
            )
        try:
            batch, requests = fetch_tickets(org, first, last, base_url=base_url)
        except FetchError as exc:
            raise CommandError(_("Nothing was imported. %(problem)s") % {"problem": exc}) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(org)s, %(since)s to %(until)s: %(read)s tickets read in %(requests)s requests; "
                    "%(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(other)s of other districts skipped."
                )
                % {
                    "org": org.short_name,
                    "since": first,
                    "until": last,
                    "read": batch.read,
                    "requests": requests,
                    "created": batch.created,
                    "updated": batch.updated,
                    "unchanged": batch.unchanged,
                    "other": batch.other_districts,
                }
            )
        )
