// The bash completion script for xm, from the command table. Domain names are completed at
// completion time with `xm list --names`.
#include <string>

#include "command_table.hpp"
#include "docs/help_text.hpp"

namespace tern::cli {

void print_bash_completion(std::ostream& out) {
    out << "# bash completion for xm; generated from xm's command table.\n"
           "_xm()\n{\n"
           "    local cur prev cmd i\n"
           "    local -a globals=()\n"
           "    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
           "    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
           "    cmd=\"\"\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        case \"${COMP_WORDS[i]}\" in\n"
           "            --server|-s|--user|-u|--password-file)\n"
           "                globals+=(\"${COMP_WORDS[i]}\" \"${COMP_WORDS[i+1]}\"); ((i++)) ;;\n"
           "            -*) globals+=(\"${COMP_WORDS[i]}\") ;;\n"
           "            *) cmd=\"${COMP_WORDS[i]}\"; break ;;\n"
           "        esac\n"
           "    done\n"
           "    if [[ -z \"$cmd\" ]]; then\n"
           "        if [[ \"$cur\" == -* ]]; then\n"
           "            COMPREPLY=($(compgen -W \"";
    for (const auto& option : global_options()) {
        out << "--" << option.long_name << " ";
    }
    out << "\" -- \"$cur\"))\n"
           "        else\n"
           "            COMPREPLY=($(compgen -W \"";
    for (const auto& spec : command_table()) {
        out << spec.name << " ";
    }
    out << "\" -- \"$cur\"))\n"
           "        fi\n"
           "        return\n"
           "    fi\n"
           "    local options=\"\" kind=\"\"\n"
           "    case \"$cmd\" in\n";
    for (const auto& spec : command_table()) {
        out << "        " << spec.name << ") options=\"";
        for (const auto& option : spec.options) {
            out << "--" << option.long_name << " ";
            if (option.short_name) {
                out << "-" << option.short_name << " ";
            }
        }
        out << "\"; kind=";
        switch (spec.first_argument) {
            case ArgumentKind::kDomain:
                out << "domain";
                break;
            case ArgumentKind::kFile:
                out << "file";
                break;
            default:
                out << "none";
        }
        out << " ;;\n";
    }
    out << "    esac\n"
           "    if [[ \"$cur\" == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W \"$options\" -- \"$cur\"))\n"
           "    elif [[ \"$kind\" == domain ]]; then\n"
           "        COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" \"${globals[@]}\" list "
           "--names "
           "2>/dev/null </dev/null)\" -- \"$cur\"))\n"
           "    elif [[ \"$kind\" == file ]]; then\n"
           "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
           "    fi\n"
           "}\n"
           "complete -F _xm xm\n";
}

}  // namespace tern::cli
