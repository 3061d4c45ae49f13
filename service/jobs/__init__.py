"""Batches as jobs: submitted by the service, run by workers (on this machine or many), one download each.

`queue.Jobs` is the interface: `submit(spec, payload)`, `status(id)`, `take_result(id)`, `cancel(id)`.
What a job does is in work.py, where its data rests (encrypted, expiring) in store.py, the settings in
settings.py, the workers in worker.py, what can go wrong in errors.py. No Flask here: the API
(service/api/jobs.py) answers, and problems.py maps the errors.
"""
