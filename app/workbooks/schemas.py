"""API shapes of a template upload."""

from typing import Literal

from pydantic import BaseModel, Field

from app.submissions.schemas import RevisionRead, SubmissionRead


class TemplateUploadResult(BaseModel):
    dry_run: bool = Field(description="true: checked only, nothing was saved (send dry_run=false to save)")
    action: Literal["create", "revise"] = Field(description="create: the unit had no submission for the cycle; "
                                                            "revise: it becomes a new revision of the unit's one")
    submission_id: int | None = Field(description="The submission written (or revised by a dry run); null for a "
                                                  "dry run that would create one")
    values: int = Field(description="Values read from the template (one per indicator and breakdown)")
    tasks: int = Field(description="Tasks with a progress")
    warnings: int = Field(description="Warnings the values raised (see preview.values[].warnings); they do not "
                                      "refuse the upload: answer them in 情况说明")
    preview: RevisionRead = Field(description="The content as it is (or would be) saved, with its warnings")
    submission: SubmissionRead | None = Field(description="The saved submission; null for a dry run")
