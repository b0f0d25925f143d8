# cmake -DCLI=caveat -DOUT=DIR -DVERSION=X.Y.Z -P man_page.cmake
# Writes DIR/caveat.1 from 'caveat help' and DIR/caveat-COMMAND.1 from
# 'caveat help COMMAND' for every command the usage lists.  The help text
# goes in verbatim (no-fill), escaped for roff: a page reads as --help does.
file(MAKE_DIRECTORY ${OUT})

function(roff_escape text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  # A line starting with . or ' would be a request.
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(write_page file title name summary text see_also)
  roff_escape("${text}" body)
  roff_escape("${summary}" summary)
  string(TOUPPER "${title}" upper)
  file(WRITE ${file}
       ".TH ${upper} 1 \"\" \"caveat ${VERSION}\" \"caveat manual\"\n"
       ".SH NAME\n${name} \\- ${summary}\n"
       ".SH DESCRIPTION\n"
       "The text of \\fB${see_also}\\fR, as the command prints it:\n"
       ".PP\n.nf\n${body}.fi\n")
endfunction()

execute_process(COMMAND ${CLI} help OUTPUT_VARIABLE usage RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "'${CLI} help' failed (${rc})")
endif()
# The commands: the lines "  NAME  summary" between "commands:" and the
# next blank line.
string(REGEX MATCH "commands:\n([^\n]+\n)+" block "${usage}")
string(REGEX MATCHALL "\n  [a-z]+ +[^\n]+" lines "${block}")
set(see "")
foreach(line ${lines})
  string(REGEX REPLACE "^\n  ([a-z]+) +([^\n]+)$" "\\1" cmd "${line}")
  string(REGEX REPLACE "^\n  ([a-z]+) +([^\n]+)$" "\\2" summary "${line}")
  execute_process(COMMAND ${CLI} help ${cmd} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "'${CLI} help ${cmd}' failed (${rc})")
  endif()
  write_page(${OUT}/caveat-${cmd}.1 "caveat-${cmd}" "caveat\\-${cmd}" "${summary}"
             "${text}" "caveat ${cmd} \\-\\-help")
  string(APPEND see ".BR caveat\\-${cmd} (1)\n")
endforeach()
write_page(${OUT}/caveat.1 "caveat" "caveat"
           "check described uses of donated weapons against donors' caveats"
           "${usage}" "caveat \\-\\-help")
file(APPEND ${OUT}/caveat.1 ".SH SEE ALSO\n${see}")
