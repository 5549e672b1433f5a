# mistake: a trailing `# comment` on WORKDIR: Docker takes it as part of the folder name
# source: https://github.com/aldor007/mort/pull/39
# source: https://github.com/jenkinsci/docker/pull/67
# lesson: lesson2
# expect: dockerfile-syntax
FROM python:3.13-slim
WORKDIR /usr/src/app # the app folder
