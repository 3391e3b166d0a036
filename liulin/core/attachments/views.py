from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors


@never_cache
@login_required
@require_GET
def file(request, pk):
    """An attachment, only to those who may see its owner (404 otherwise); never cached on the
    way. Pictures show inline; documents download, so a PDF never runs in the site's origin."""
    attachment, handle = selectors.open_for(request.user, pk)
    as_download = attachment.kind != attachment.Kind.IMAGE
    response = FileResponse(handle, content_type=attachment.content_type, as_attachment=as_download,
                            filename=attachment.file.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
