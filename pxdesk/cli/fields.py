"""`pxdesk-cli fields add|list`: custom fields of the target objects (the mapping stage's
"Add Custom Field"), created by the same core call with the same checks."""

from __future__ import annotations

import argparse

from pxdesk.cli.connection import admin_user
from pxdesk.cli.output import EXIT_OK, print_table
from pxdesk.core.context import AppContext
from pxdesk.core.store.enums import FieldType, TargetObject

OBJECTS = [o.value.replace("_", "-") for o in TargetObject]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("fields", help="add or list custom fields of a target object")
    sub = parser.add_subparsers(dest="fields_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add a custom field (api name NAME__gc)")
    add.add_argument("object", metavar="OBJECT", help=f"one of {', '.join(OBJECTS)}")
    add.add_argument("name", metavar="NAME", help="the field's name; its api name is NAME with "
                     "spaces as _ and the __gc suffix, as in the desktop app")
    add.add_argument("--type", required=True, dest="field_type", metavar="TYPE",
                     help=f"one of {', '.join(t.value for t in FieldType)}")
    add.add_argument("--label", help="the label shown (default: NAME)")
    add.set_defaults(handler=add_field)
    show = sub.add_parser("list", help="the custom fields of an object")
    show.add_argument("object", metavar="OBJECT", help=f"one of {', '.join(OBJECTS)}")
    show.set_defaults(handler=list_fields)


def _object(text: str) -> str:
    """company-person and company_person both name the Company Person object; the core names
    anything else as unknown."""
    return text.strip().lower().replace("-", "_")


def _field_type(text: str) -> str:
    """The type as FieldType spells it, whatever the case; the core refuses an unknown one."""
    return next((t.value for t in FieldType if t.value.lower() == text.strip().lower()), text)


def add_field(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.store.custom_fields import api_name_for, create_custom_field, table_for

    obj = _object(args.object)
    table_for(obj)  # an unknown object is named before the label is read
    label = args.name if args.label is None else args.label
    field = create_custom_field(obj, label, _field_type(args.field_type), admin_user(),
                                api_name=api_name_for(args.name))
    print(f"Added {TargetObject.label_of(obj)}.{field.api_name} ({field.field_type}, "
          f"label '{field.label}')")
    return EXIT_OK


def list_fields(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.store.custom_fields import list_custom_fields, table_for

    obj = _object(args.object)
    table_for(obj)
    print_table(("API Name", "Label", "Type", "Created By"),
                [(f.api_name, f.label, f.field_type, f.created_by)
                 for f in list_custom_fields(obj)])
    return EXIT_OK
