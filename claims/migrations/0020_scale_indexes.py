"""Indexes measured on fill_scale's desk (100,000 claims): benchmark_scale.

- "Recently published" in My work read every claim the desk published in two
  weeks and, for a reviewer, every version ever approved by anyone (no index
  on approval time): 210 ms for a reviewer's /desk/. Each of its branches is
  now a range of an index: (assignee | created_by, status, last_published_at),
  and the versions' (approved_by, approved_at, claim); claim_status_published
  also carries whose the claim is, so the two weeks are filtered in the index.
- An article page's counts per status (desk_lists.count_claims) read some
  1,500 claims from the table; claim_article_counts holds what they look at.
- claim_assignee_status carries the article: "articles with a claim assigned
  to…" (the desk's assignee filter) reads the index alone.

The two-column (assignee, status) and (created_by, status) indexes are
replaced by the longer ones under the same names: they serve the same queries.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0019_claim_first_published_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='claim',
            name='claim_assignee_status',
        ),
        migrations.RemoveIndex(
            model_name='claim',
            name='claim_creator_status',
        ),
        migrations.RemoveIndex(
            model_name='claim',
            name='claim_status_published',
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['article', 'status', 'anchor_status', 'public_start', 'current_version', 'id'], name='claim_article_counts'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['assignee', 'status', 'last_published_at', 'article'], name='claim_assignee_status'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['created_by', 'status', 'last_published_at'], name='claim_creator_status'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['status', 'last_published_at', 'assignee', 'created_by', 'id'], name='claim_status_published'),
        ),
        migrations.AddIndex(
            model_name='claimversion',
            index=models.Index(fields=['approved_by', 'approved_at', 'claim'], name='version_approver_recent'),
        ),
    ]
