# mistake: FROM python:3, which moved from 3.6 to 3.7 (and later) under the learner's feet
# source: https://github.com/docker/docs/pull/6990
# source: https://github.com/VaultVulp/action-pipenv/issues/4
# lesson: lesson1
# expect: base-image-version
FROM python:3
