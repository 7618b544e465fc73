# bash completion for memwatch: subcommands, their options, option values and
# recorded session ids (read with `memwatch list --json` from the database the
# command line names with --db, else the default one).

_memwatch_sessions()
{
    local exe=$1 db=$2
    local -a args=(list --json)
    [[ -n $db ]] && args=(--db "$db" list --json)
    "$exe" "${args[@]}" 2>/dev/null | sed -n 's/^[[{ ]*{"id": \([0-9][0-9]*\),.*/\1/p'
}

_memwatch()
{
    local cur prev exe sub="" db="" i w
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    exe=${COMP_WORDS[0]}
    local subs="run attach list report export plot diff"

    # the subcommand and the database named so far
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            --db)
                ((i + 1 < COMP_CWORD)) && db=${COMP_WORDS[i + 1]}
                ((i++))
                continue ;;
            --db=*)
                db=${w#--db=}
                continue ;;
        esac
        if [[ -z $sub && $w != -* ]]; then
            sub=$w
        elif [[ $sub == run && $w == -- ]]; then
            # after `run ... --` comes the profiled command, then its files
            if ((i + 1 == COMP_CWORD)); then
                mapfile -t COMPREPLY < <(compgen -c -- "$cur")
            else
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi
            return 0
        fi
    done

    # values of options
    case $prev in
        --db|-o|--output)
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return 0 ;;
        --format|-f)
            [[ $sub == export ]] && { mapfile -t COMPREPLY < <(compgen -W "mprof speedscope collapsed chrome csv json" -- "$cur"); return 0; } ;;
        --what)
            mapfile -t COMPREPLY < <(compgen -W "timeline lines functions timeline,lines,functions" -- "$cur")
            return 0 ;;
        --sampling)
            mapfile -t COMPREPLY < <(compgen -W "timer faults both" -- "$cur")
            return 0 ;;
        --pid|-p)
            mapfile -t COMPREPLY < <(compgen -W "$(ps -e -o pid= 2>/dev/null)" -- "$cur")
            return 0 ;;
        --interval|--rate|--duration|--fault-period|--from|--to|--top|-n|--width|--height)
            return 0 ;;
    esac

    local common="--db --help"
    local opts=""
    case $sub in
        "")
            if [[ $cur == -* ]]; then
                opts="--pid --db --quiet --help --version --interval --rate --duration --sampling --fault-period --no-children"
            else
                opts=$subs
            fi ;;
        run|attach)
            opts="--interval --rate --duration --sampling --fault-period --no-children --quiet $common"
            [[ $sub == attach && $cur != -* ]] && { mapfile -t COMPREPLY < <(compgen -W "$(ps -e -o pid= 2>/dev/null)" -- "$cur"); return 0; }
            [[ $sub == run ]] && opts="$opts --" ;;
        list)
            opts="--json $common" ;;
        report)
            opts="--lines --functions --timeline --from --to --top --json $common" ;;
        export)
            opts="--format --output -o --from --to --children --what $common" ;;
        plot)
            opts="--output -o --width --height --from --to --children --top $common" ;;
        diff)
            opts="--lines --functions --top --json $common" ;;
        *)
            return 0 ;;
    esac
    if [[ $cur != -* && $sub =~ ^(report|export|plot|diff)$ ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_memwatch_sessions "$exe" "$db")" -- "$cur")
        return 0
    fi
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
    return 0
}

complete -F _memwatch memwatch
