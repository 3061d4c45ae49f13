from service import create_app
from service import lanes

app = create_app()
app.wsgi_app = lanes.wrap(app.wsgi_app)  # the front forwards letters and bundles to the heavy lane
