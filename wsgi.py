from service import create_app
from service import lanes

app = create_app()
# The front forwards letters and bundles to the heavy lane (and sheds them past its places, counted).
app.wsgi_app = lanes.wrap(app.wsgi_app, app.extensions["metrics"])
