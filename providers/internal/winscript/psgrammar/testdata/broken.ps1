# Deliberately broken: the if block never closes, and a hashtable lacks
# its closing brace. TestBrokenScriptRejected expects the grammar to say so.
function Get-Thing($x) {
    if ($x -eq 1) {
        $h = @{ a = 1; b = (2 + }
    return $h
}
