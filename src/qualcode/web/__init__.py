"""The review workbench (`qualcode serve`): a local web app over a project, behind a token, on this machine."""
