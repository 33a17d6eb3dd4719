"""Widgets for sending from JupyterLab: compose templates and messages, launch campaigns, browse and import
contacts, and the sandbox outbox. Each class is an ipywidgets.VBox whose parts are attributes; display the object
to use it."""

from .campaign_launcher import CampaignLauncher
from .contact_explorer import ContactExplorer
from .contact_importer import ContactImporter
from .mail_merge import MailMerge
from .message_composer import MessageComposer
from .outbox_viewer import OutboxViewer
from .template_composer import TemplateComposer

__all__ = [
    "TemplateComposer",
    "MessageComposer",
    "CampaignLauncher",
    "ContactExplorer",
    "ContactImporter",
    "MailMerge",
    "OutboxViewer",
]
