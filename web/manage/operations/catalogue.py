"""Categories and attributes: the tree; create, rename, move, archive a category; its commission
override, workflow and review criteria; the attributes listings in it fill. Writes go through the
catalogue's and the reviews' services."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.catalogue.models import AttributeDefinition
from marketplace.catalogue.selectors import category_attribute_definitions, category_by_public_id, category_tree
from marketplace.catalogue.services import (
    attribute_define,
    attribute_remove,
    attribute_update,
    category_create,
    category_update,
)
from marketplace.common.errors import DomainError
from marketplace.configuration.models import BookingWorkflow
from marketplace.configuration.selectors import marketplace_settings
from marketplace.reviews.services import review_criteria_set
from web.forms import apply_domain_error
from web.manage.operations.forms import (
    AttributeForm,
    CategoryCreateForm,
    CategoryDetailsForm,
    CategoryTermsForm,
    ReviewCriteriaForm,
    bps_to_percent,
)
from web.permissions import allowed

FIELD_NAMES = {"commission_bps": "commission"}  # the services' names -> the forms'


def renamed(exc: DomainError) -> DomainError:
    """The service's error with its fields named as the forms name them."""
    copy = type(exc)(exc.message, code=exc.code, fields={FIELD_NAMES.get(k, k): v for k, v in exc.fields.items()})
    return copy


def _category_or_404(public_id: str):
    category = category_by_public_id(public_id)
    if category is None:
        raise Http404(_("No such category."))
    return category


@allowed("marketplace.configure")
def categories(request):
    nodes = category_tree()
    allowed_workflows = marketplace_settings().allowed_workflows
    form = CategoryCreateForm(request.POST or None, nodes=nodes, allowed_workflows=allowed_workflows)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                category = category_create(actor=request.user, **form.values())
            except DomainError as exc:
                apply_domain_error(form, renamed(exc))
            else:
                messages.success(request, _("Category “%(name)s” created.") % {"name": category.name})
                return redirect("manage:category", public_id=category.public_id)
        status = 400
    roots = [node for node in nodes if node.depth == 0]
    return render(
        request,
        "manage/operations/categories.html",
        {"roots": roots, "count": len(nodes), "form": form},
        status=status,
    )


def _detail_context(request, category, nodes, **forms) -> dict:
    node = next(n for n in nodes if n.category.pk == category.pk)
    by_pk = {n.category.pk: n for n in nodes}
    allowed_workflows = marketplace_settings().allowed_workflows
    definitions = category_attribute_definitions(category)
    forms.setdefault(
        "details_form",
        CategoryDetailsForm(
            initial={
                "name": category.name,
                "slug": category.slug,
                "parent": category.parent.public_id if category.parent_id else "",
                "position": category.position,
            },
            nodes=nodes,
            category=category,
        ),
    )
    forms.setdefault(
        "terms_form",
        CategoryTermsForm(
            initial={"commission": bps_to_percent(category.commission_bps), "workflow": category.workflow or ""},
            allowed_workflows=allowed_workflows,
        ),
    )
    forms.setdefault(
        "criteria_form", ReviewCriteriaForm(initial=ReviewCriteriaForm.initial_for(category.review_criteria))
    )
    forms.setdefault("attribute_form", AttributeForm())
    parent = by_pk.get(category.parent_id)
    return {
        "category": category,
        "node": node,
        "parent_node": parent,
        "ancestors": [by_pk[pk] for pk in category.path[:-1] if pk in by_pk],
        "children": node.children,
        "own_attributes": [d for d in definitions if d.category_id == category.pk],
        "inherited_attributes": [
            (d, by_pk[d.category_id].category) for d in definitions if d.category_id != category.pk
        ],
        "default_commission": bps_to_percent(marketplace_settings().default_commission_bps),
        "workflow_label": dict(BookingWorkflow.choices).get(node.workflow.value, node.workflow.value),
        **forms,
    }


@allowed("marketplace.configure")
def category(request, public_id: str):
    category = _category_or_404(public_id)
    nodes = category_tree()
    if request.method != "POST":
        return render(request, "manage/operations/category.html", _detail_context(request, category, nodes))
    which = request.POST.get("form", "")
    done, forms = _save(request, category, nodes, which)
    if done:
        return redirect(f"{request.path}#{which}")
    return render(
        request, "manage/operations/category.html", _detail_context(request, category, nodes, **forms), status=400
    )


def _save(request, category, nodes, which: str) -> tuple[bool, dict]:
    """Apply one of the page's forms; (saved, the bound form to show again when not)."""
    allowed_workflows = marketplace_settings().allowed_workflows
    if which == "details":
        form = CategoryDetailsForm(request.POST, nodes=nodes, category=category)
        key, write = (
            "details_form",
            lambda: category_update(actor=request.user, category=category, **form.changes(category)),
        )
        done_message = _("Saved: name and place.")
    elif which == "terms":
        form = CategoryTermsForm(request.POST, allowed_workflows=allowed_workflows)
        key, write = "terms_form", lambda: category_update(actor=request.user, category=category, **form.changes())
        done_message = _("Saved: commission and workflow.")
    elif which == "criteria":
        form = ReviewCriteriaForm(request.POST)
        key = "criteria_form"

        def write():
            return review_criteria_set(actor=request.user, category_id=category.public_id, criteria=form.criteria())

        done_message = _("Saved: review criteria.")
    elif which == "attribute":
        form = AttributeForm(request.POST)
        key, write = "attribute_form", lambda: attribute_define(actor=request.user, category=category, **form.values())
        done_message = _("Attribute added.")
    elif which in ("archive", "restore"):
        form, key = None, ""
        try:
            category_update(actor=request.user, category=category, is_active=which == "restore")
        except DomainError as exc:
            messages.error(request, exc.message)
            return True, {}
        messages.success(request, _("Category restored.") if which == "restore" else _("Category archived."))
        return True, {}
    else:
        messages.error(request, _("Choose what to save."))
        return True, {}
    if form.is_valid():
        try:
            write()
        except DomainError as exc:
            if which == "criteria":
                form.apply_error(exc)
            else:
                apply_domain_error(form, renamed(exc))
        else:
            messages.success(request, done_message)
            return True, {}
    return False, {key: form}


def _definition_or_404(category, key: str) -> AttributeDefinition:
    definition = AttributeDefinition.objects.filter(category=category, key=key).first()
    if definition is None:
        raise Http404(_("No such attribute in this category."))
    return definition


@allowed("marketplace.configure")
def attribute(request, public_id: str, key: str):
    category = _category_or_404(public_id)
    definition = _definition_or_404(category, key)
    form = AttributeForm(request.POST or None, editing=True, initial=AttributeForm.initial_for(definition))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                attribute_update(actor=request.user, definition=definition, **form.values())
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Attribute “%(label)s” saved.") % {"label": form.cleaned_data["label"]})
                return redirect(f"{category_url(category)}#attributes")
        status = 400
    return render(
        request,
        "manage/operations/attribute.html",
        {"category": category, "definition": definition, "form": form},
        status=status,
    )


@require_POST
@allowed("marketplace.configure")
def attribute_delete(request, public_id: str, key: str):
    category = _category_or_404(public_id)
    definition = _definition_or_404(category, key)
    attribute_remove(actor=request.user, definition=definition)
    messages.success(request, _("Attribute “%(label)s” removed.") % {"label": definition.label})
    return redirect(f"{category_url(category)}#attributes")


def category_url(category) -> str:
    from django.urls import reverse

    return reverse("manage:category", kwargs={"public_id": category.public_id})
