"""What every public form shares: the list its error summary reads (components/error_summary.html)."""


class ErrorSummaryMixin:
    """`errors_in_order()`: (anchor id or None, message), non-field errors first, then the fields in order.

    The anchor is the input's id, or the first choice's for a group of radios or checkboxes;
    a form may override `anchor_for` where its template renders a field by hand.
    """

    def errors_in_order(self):
        summary = [(None, message) for message in self.non_field_errors()]
        for name in self.fields:
            summary.extend((self.anchor_for(name), message) for message in self.errors.get(name, []))
        return summary

    def anchor_for(self, name):
        bound = self[name]
        return f"{bound.auto_id}_0" if bound.use_fieldset else bound.auto_id
