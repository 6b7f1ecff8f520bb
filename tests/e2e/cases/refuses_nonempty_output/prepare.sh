mkdir -p ../out && echo precious > ../out/notes.txt
