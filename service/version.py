"""The service's version, printed in /health, OpenAPI and bundle manifests."""

VERSION = "0.2.0"
