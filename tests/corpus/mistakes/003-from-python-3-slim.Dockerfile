# mistake: the floating python:3-slim tag, which follows every new Python release
# source: https://github.com/OWASP/mas-website/pull/79
# lesson: lesson1
# expect: base-image-version
FROM python:3-slim
