"""WAGTAIL_FINISH_WORKFLOW_ACTION. Wagtail imports this setting while defining its own models, so
this module imports nothing at load time."""


def listing_workflow_finish(workflow_state, user=None):
    from .listing import listing_workflow_finish as finish

    finish(workflow_state, user=user)
