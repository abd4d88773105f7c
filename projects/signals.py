"""Signal handlers of the projects app, connected in `ProjectsConfig.ready`.

Publishing a campaign update (actualité) emails the campaign's followers and backers:
`follows.services.announce_update` announces each update once (its first publication) and
emails each recipient once, through the task queue.
"""

from wagtail.signals import page_published

from follows import services as follow_services
from projects.models import CampaignUpdatePage


def announce_update(sender, instance, **kwargs):
    follow_services.announce_update(instance)


def connect():
    page_published.connect(announce_update, sender=CampaignUpdatePage, dispatch_uid="projects.announce_update")
