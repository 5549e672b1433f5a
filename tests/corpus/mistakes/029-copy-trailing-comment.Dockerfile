# mistake: a trailing `# comment` on COPY: its words become more sources
# source: https://github.com/moby/moby/issues/16456
# source: https://github.com/ExamProCo/TheFreeAWSDeveloperAssociate/pull/1
# lesson: lesson3
# expect: dockerfile-syntax
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .  # get the app into the image
