"""Change stage: the user picks a stage in the dialog; archived people get no open stage (rule 3)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from contacts import services
from contacts.bulk_actions.base import AudienceKind, BulkAction, PutBack
from contacts.bulk_actions.registry import register
from contacts.models import Stage, Workspace
from contacts.rules import OPEN_STAGES, change_stage_blockers, stage_from_param


class StageForm(forms.Form):
    # Not "stage": that name is the stage *filter* of a select-all selection.
    new_stage = forms.ChoiceField(label=gettext_lazy("New stage"), choices=Stage.choices, required=False)

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_stage"].choices = workspace.stage_param_choices()

    def clean_new_stage(self):
        value = self.cleaned_data["new_stage"]
        if value == "":
            raise forms.ValidationError(_("Pick a stage."))
        return stage_from_param(value)


@register
class ChangeStage(BulkAction):
    name, label, past = "change_stage", gettext_lazy("Change stage"), gettext_lazy("moved")
    doing = gettext_lazy("Changing the stage of")
    menu_position = 60
    audiences = (AudienceKind.MY_PEOPLE,)
    undo = PutBack("stage")
    form_class = StageForm
    needs_choice = True
    choice_template = "contacts/bulk_actions/change_stage.html"
    # Who is blocked depends on the stage picked, which a filter does not carry.
    narrowable = False

    def make_form(self, data, workspace):
        return StageForm(data, workspace=workspace)

    def options(self, form, workspace):
        stage = form.cleaned_data["new_stage"]
        return {"stage": stage, "stage_label": workspace.stage_label(stage)}

    def will(self, options):
        if options.get("stage") == Stage.NONE:
            return _("have their stage removed")
        return _("be moved to %(stage)s") % {"stage": options.get("stage_label", "")}

    def describe(self, options):
        if options.get("stage") in OPEN_STAGES:
            return _("Archived people cannot get an open stage; restore them first.")
        return ""

    def blockers(self, workspace, options):
        if "stage" not in options:
            return ()
        return change_stage_blockers(options["stage"], workspace)

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.change_stage(actor=actor, workspace=workspace, selected=selected, stage=options["stage"])

    def question(self, n):
        return ngettext("Change the stage of %(count)s person?", "Change the stage of %(count)s people?", n) % {
            "count": n
        }

    def confirm_label(self, n):
        return ngettext("Change stage of %(count)s person", "Change stage of %(count)s people", n) % {"count": n}

    def done_text(self, done, options):
        if options["stage"] == Stage.NONE:
            return ngettext("Stage removed from %(count)s person", "Stage removed from %(count)s people", done) % {
                "count": done
            }
        return ngettext("%(count)s person moved to %(stage)s", "%(count)s people moved to %(stage)s", done) % {
            "count": done,
            "stage": options["stage_label"],
        }
