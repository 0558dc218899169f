module example.local/{{project_id}}

go 1.26
