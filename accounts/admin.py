from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

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


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    list_display = ["role", "name"]
    list_display_links = ["role"]

    @admin.display(description=_("role"), ordering="name")
    def role(self, obj):
        return role_label(obj.name)
