# mistake: FROM python with no tag: whatever `latest` is on the day of the build
# source: https://github.com/kragniz/python-etcd3/issues/115
# lesson: lesson1
# expect: base-image-tag
FROM python
