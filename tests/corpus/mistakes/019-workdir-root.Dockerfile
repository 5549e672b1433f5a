# mistake: WORKDIR / (taken for the build context's root)
# source: https://github.com/docker/docs/issues/6321
# lesson: lesson2
# expect: workdir-own-folder
FROM python:3.13-slim
WORKDIR /
