"""What every response goes through: security headers, compression, the request log, form bodies, static files, generic errors."""
