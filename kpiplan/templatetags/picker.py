"""The organization choice of the period picker, for users who read every organization."""

from django import template

from accounts import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def readable_plans(context, plan):
    """The plans of `plan`'s fiscal year of every organization, when the user reads them
    all (administrators, the city executive); nothing (and no query) for anyone else,
    whose pages show their own organization's plan."""
    from plans.models import Plan

    request = context.get("request")
    if plan is None or request is None or not policy.allowed(request.user, "organization.read_all"):
        return []
    return list(Plan.objects.filter(fiscal_year_id=plan.fiscal_year_id).select_related("organization")
                .order_by("organization__name", "pk"))
