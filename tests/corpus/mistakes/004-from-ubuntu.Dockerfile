# mistake: started from Ubuntu and meant to install Python with apt
# source: https://notes.kodekloud.com/docs/Docker-Certified-Associate-Exam-Course/Docker-Image-Management/Building-a-custom-image/page
# lesson: lesson1
# expect: base-image-official
FROM ubuntu:20.04
