"""Build the POST data an admin change form would send, from the page's own forms."""


def _field_value(form, name):
    bound = form[name]
    value = bound.value()
    widget = bound.field.widget
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None:
        return ""
    if getattr(widget, "input_type", None) == "checkbox":
        return "on" if value else ""
    return str(value)  # BoundField.value() is already the field's prepared (displayed) value


def form_data(response, **changes):
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = _field_value(form, name)
        if value != "":
            data[form.add_prefix(name)] = value
    inlines = response.context["inline_admin_formsets"] if "inline_admin_formsets" in response.context else []
    for inline in inlines:
        formset = inline.formset
        mgmt = formset.management_form
        for name in mgmt.fields:
            data[mgmt.add_prefix(name)] = mgmt[name].value()
        for f in formset.initial_forms:
            for name in f.fields:
                value = _field_value(f, name)
                if value != "":
                    data[f.add_prefix(name)] = value
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
