# mistake: sudo in RUN: `/bin/sh: 1: sudo: not found`
# source: https://dockerquestions.com/2019/05/22/bin-sh-1-sudo-not-found-when-running-dockerfile/
# lesson: lesson4
# expect: apt-no-sudo
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN sudo apt-get update
RUN sudo apt-get install -y gcc
