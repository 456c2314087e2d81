"""Create the desk's roles as groups with model permissions.

Permissions are normally created after all migrations have run; they are
created here first so that a fresh database has working roles right away.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Editors": [
        "view_article", "add_article", "change_article",
        "view_claim", "add_claim", "change_claim", "delete_claim",
        "view_source", "add_source", "change_source", "delete_source",
        "view_rating",
    ],
    "Reviewers": [
        "view_article", "add_article", "change_article",
        "view_claim", "add_claim", "change_claim", "delete_claim",
        "view_source", "add_source", "change_source", "delete_source",
        "view_rating", "review_claim",
    ],
}  # fmt: skip


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    create_groups(apps)


def create_groups(apps):
    """Also called by the test suite to restore roles after a database flush."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        group.permissions.add(*perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
