# mistake: chose the Alpine variant to get a small image; uWSGI then needs apk and musl
# source: https://github.com/docker-library/python/issues/184
# source: https://pythonspeed.com/articles/alpine-docker-python/
# lesson: lesson1
# expect: base-image-variant
FROM python:3.13-alpine
