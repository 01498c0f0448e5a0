from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from . import people, policy
from .models import Profile
from .roles import role_label


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["organization", "division"]


def _groups_by_role_label(field):
    """A groups field lists each role by its Thai label (the group names are code keys)."""
    if field is not None:
        field.label_from_instance = lambda group: role_label(group.name)
    return field


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "profile__organization", "is_staff"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _groups_by_role_label(field) if db_field.name == "groups" else field

    # -- an organization with its divisions and people, on one page ---------------------

    def get_urls(self):
        view = self.admin_site.admin_view(self.new_organization_view)
        return [path("new-organization/", view, name="auth_user_new_organization"), *super().get_urls()]

    def may_create_organizations(self, request) -> bool:
        """Organizations are reference data (administrators), people are users."""
        return policy.allowed(request.user, "admin.change_reference") and self.has_add_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self.may_create_organizations(request):
            extra_context["new_organization_url"] = reverse("admin:auth_user_new_organization")
        return super().changelist_view(request, extra_context)

    def new_organization_view(self, request):
        if not self.may_create_organizations(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        org_form = people.OrganizationForm(data, prefix="org")
        divisions = people.DivisionFormSet(data, prefix="divisions")
        persons = people.PersonFormSet(data, prefix="people")
        # every check runs, so that one page shows every mistake at once
        valid = data is not None and all([org_form.is_valid(), divisions.is_valid(), persons.is_valid()])
        if data is not None and divisions.is_valid() and not people.check_people_against_divisions(divisions, persons):
            valid = False
        if valid:
            organization, made_divisions, made_people = people.create_organization_with_people(
                org_form, divisions, persons, reason=gettext_now("Created with its divisions and people on one page"))
            messages.success(request, gettext_now(
                "%(organization)s was created with %(divisions)d divisions and %(people)d people; each person was "
                "mailed a link to choose their password.") % {
                    "organization": organization, "divisions": len(made_divisions), "people": len(made_people)})
            return redirect("admin:plans_organization_change", organization.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext_now("Add an organization with its divisions and people"),
            "opts": self.model._meta,
            "org_form": org_form,
            "divisions": divisions,
            "persons": persons,
            "has_errors": data is not None,
        }
        return TemplateResponse(request, "admin/auth/user/new_organization.html", context)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    list_display = ["role", "name"]
    list_display_links = ["role"]

    @admin.display(description=_("role"), ordering="name")
    def role(self, obj):
        return role_label(obj.name)
