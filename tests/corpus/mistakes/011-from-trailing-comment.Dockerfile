# mistake: a comment at the end of the FROM line: `FROM requires either one or three arguments`
# source: https://github.com/moby/moby/issues/36225
# lesson: lesson1
# expect: dockerfile-syntax
FROM python:3.13-slim  # the official slim image
