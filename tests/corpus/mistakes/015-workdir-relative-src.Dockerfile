# mistake: a relative WORKDIR (BuildKit's WorkdirRelativePath)
# source: https://github.com/lightpanda-io/browser/pull/298
# lesson: lesson2
# expect: workdir-absolute
FROM python:3.13-slim
WORKDIR src/app
