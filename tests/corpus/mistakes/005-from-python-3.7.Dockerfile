# mistake: FROM python:3.7, a Python past its end of life
# source: https://github.com/makeabilitylab/makeabilitylabwebsite/issues/955
# lesson: lesson1
# expect: base-image-supported
FROM python:3.7
